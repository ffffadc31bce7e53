from orgs.imports import column_titles
from orgs.queries import visible_units
from qingdan.spreadsheets import write_workbook


def org_tree_xlsx(user):
    """The visible tree as .xlsx in the import layout, so it can be edited and imported back."""
    titles = column_titles()
    header = [titles[key][0] for key in ("code", "name", "kind", "parent")]
    units = visible_units(user).select_related("parent").order_by("path")
    # The user's own unit is written without its parent, which lies outside what they may see.
    rows = (
        [u.code, u.name, str(u.get_kind_display()), u.parent.code if u.parent and u.pk != user.org_unit_id else ""]
        for u in units.iterator()
    )
    return write_workbook("组织机构", header, rows)


def import_template_xlsx():
    titles = column_titles()
    return write_workbook("组织机构", [titles[key][0] for key in ("code", "name", "kind", "parent")], [])
