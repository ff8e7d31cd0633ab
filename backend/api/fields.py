"""Serializer fields shared by the apps."""

import datetime

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

#: the days the domain computes with: a subscription's year after its start, a screening's
#: day in Paris. Python's dates end at 9999-12-31 and begin at 0001-01-01 (UTC).
EARLIEST_DAY = datetime.date(1900, 1, 1)
LATEST_DAY = datetime.date(2199, 12, 31)


class SlugRelatedField(serializers.SlugRelatedField):
    """DRF's field, refusing a value PostgreSQL cannot even compare (a NUL character) as
    an unknown one — a 400 naming the field, not a database error."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)


class WholeItemsField(serializers.ListField):
    """A list of nested objects that replaces a whole list (`items` of a collection):
    each item is validated whole by its own serializer, even in a PATCH — DRF would make
    a partial root's nested fields optional, and an item without its film would reach the
    service."""

    def __init__(self, *, child: serializers.Serializer, **kwargs):
        super().__init__(child=child, **kwargs)

    def to_representation(self, data):
        return super().to_representation(data.all() if hasattr(data, "all") else data)

    def run_child_validation(self, data):
        result, errors = [], {}
        for index, item in enumerate(data):
            item_serializer = type(self.child)(data=item, context=self.context)
            if item_serializer.is_valid():
                result.append(item_serializer.validated_data)
            else:
                errors[index] = item_serializer.errors
        if errors:
            raise serializers.ValidationError(errors)
        return result


class _Bounded:
    default_error_messages = {
        "out_of_range": _("Give a date between %(earliest)s and %(latest)s."),
    }

    def _check_range(self, day: datetime.date) -> None:
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            self.fail(
                "out_of_range",
                earliest=EARLIEST_DAY.isoformat(),
                latest=LATEST_DAY.isoformat(),
            )

    def fail(self, key, **kwargs):
        if key == "out_of_range":  # %-style, like the rest of our messages
            message = self.error_messages[key] % kwargs
            raise serializers.ValidationError(message, code=key)
        return super().fail(key, **kwargs)


class BoundedDateField(_Bounded, serializers.DateField):
    """A date the domain computes with (periods, windows): 1900-01-01 to 2199-12-31."""

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        self._check_range(day)
        return day


class BoundedDateTimeField(_Bounded, serializers.DateTimeField):
    """A moment the domain computes with (its day in Paris): 1900 to 2199."""

    def enforce_timezone(self, value):
        # before DRF's own check, which converts to UTC: year 1 in Paris overflows there
        self._check_range(value.date())
        return super().enforce_timezone(value)
