from django import forms

from qingdan import text


class Form(forms.Form):
    """Every form of the project: each text it receives is cleaned (``qingdan.text``), a refused character
    shown as the field's error. Text areas keep their line breaks; other text fields get them as spaces."""

    def _clean_fields(self):
        super()._clean_fields()
        for name, value in list(self.cleaned_data.items()):
            widget = self.fields[name].widget
            if isinstance(widget, forms.PasswordInput):
                continue  # a password is hashed as typed, never shown
            multiline = isinstance(widget, forms.Textarea)
            try:
                if isinstance(value, str):
                    self.cleaned_data[name] = text.clean(value, multiline=multiline)
                elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
                    self.cleaned_data[name] = [text.clean(v, multiline=multiline) for v in value]
            except text.Unclean as exc:
                self.add_error(name, exc.message)


class StyledForm(Form):
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
