"""A user sees their own part of the org tree and nothing of anyone else's."""

from django.utils import translation
from playwright.sync_api import Page, expect

from orgs.models import OrgUnit
from tests.journeys import sign_in


def test_office_of_other_county_gets_not_found_for_binhai_unit(page: Page, site):
    binhai_transport = OrgUnit.objects.get(name="县交通运输局")
    own_transport = OrgUnit.objects.get(name="临河县交通运输局")

    page.goto(f"{site}/login/")
    sign_in(page, site, "office2")
    expect(page).to_have_url(f"{site}/")
    expect(page.get_by_test_id("home-unit")).to_have_text("临河县总工会")

    # Their own county's transport bureau opens.
    response = page.goto(f"{site}/orgs/{own_transport.pk}/")
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("临河县交通运输局")

    # 滨海县's does not, and the page does not give away that it exists.
    response = page.goto(f"{site}/orgs/{binhai_transport.pk}/")
    assert response.status == 404
    with translation.override("zh-hans"):
        not_found = translation.gettext("Not found")
    expect(page.get_by_role("heading", level=1)).to_have_text(not_found)
    expect(page.locator("body")).not_to_contain_text("县交通运输局")
    expect(page.locator("body")).not_to_contain_text("滨海")

    # The way back leads to their own workbench.
    page.get_by_role("link", name="返回工作台").click()
    expect(page).to_have_url(f"{site}/")
    expect(page.get_by_test_id("home-unit")).to_have_text("临河县总工会")
