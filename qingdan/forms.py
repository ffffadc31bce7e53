from django import forms


class StyledForm(forms.Form):
    """Gives every widget its Bootstrap class, so templates can render fields as they are."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)


class DateInput(forms.DateInput):
    """The browser's date picker, with the value as 2026-09-30 whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class UnitChoiceField(forms.ModelChoiceField):
    """Units as an indented tree: each name indented by its depth below ``base_depth`` (the user's unit)."""

    base_depth = 0

    def label_from_instance(self, obj):
        return "\u3000" * max(obj.depth - self.base_depth, 0) + obj.name
