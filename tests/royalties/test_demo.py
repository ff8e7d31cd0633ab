"""The 2017 demo: every demo contract gets a statement of the year, drafted by the
management command, whose figures are the records' own and whose totals add up."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from orders.models import OrderLine
from rights.models import Contract, RightsGrant
from royalties.models import PaymentTerms, RightsHolderMember, Statement, StatementUsage
from royalties.services import statement_approve
from subscriptions.models import ScreeningBooking

pytestmark = pytest.mark.django_db


def test_the_seed_drafts_the_demo_year_and_approves_the_demo_holder_s(demo_data):
    """After `make run`, the cinema staff have drafts to approve and holder-demo has
    approved statements to read."""
    statements = Statement.objects.filter(period_kind="year", period_start__year=2017)
    assert statements.count() == Contract.objects.count() == 80
    holder = RightsHolderMember.objects.get(user__username="holder-demo").rights_holder
    approved = statements.filter(status="approved")
    assert approved.exists()
    assert set(approved.values_list("contract__rights_holder", flat=True)) == {holder.pk}
    assert statements.filter(status="draft").count() == 80 - approved.count()


@pytest.mark.slow
def test_every_demo_contract_has_a_2017_statement(demo_data, capsys):
    """Slow (15 to 35 s): 80 contracts' statements drafted twice, ten approved."""
    call_command("royalties_draft", "2017")
    assert "drafted" in capsys.readouterr().out
    statements = Statement.objects.filter(period_kind="year", period_start__year=2017)
    assert statements.count() == Contract.objects.count() == PaymentTerms.objects.count()
    totals = StatementUsage.objects.over_period().filter(statement__in=statements)
    # the seed's 221 DVD copies of 2017, each film's DVD right under one contract
    shipped = OrderLine.objects.filter(
        status="accepted", order__shipped_at__year=2017, order__status__in=["shipped", "delivered"]
    ).aggregate(copies=Sum("quantity"))["copies"]
    assert shipped == 221
    assert totals.aggregate(copies=Sum("copies"))["copies"] == shipped
    # the screenings held in 2017 on a day a grant allowed them (the seed holds a few
    # before their film's screening right started: no grant covers them, none is owed)
    held = [
        (booking.film_id, timezone.localtime(booking.starts_at).date())
        for booking in ScreeningBooking.objects.filter(status="held", starts_at__year=2017)
    ]
    windows = {}
    for grant in RightsGrant.objects.filter(medium="public_screening"):
        windows.setdefault(grant.film_id, []).append((grant.starts_on, grant.ends_on))
    covered = [
        (film, day)
        for film, day in held
        if any(start <= day and (end is None or day <= end) for start, end in windows.get(film, []))
    ]
    assert 0 < len(covered) <= len(held)
    assert totals.aggregate(screenings=Sum("screenings"))["screenings"] == len(covered)
    for statement in statements:
        assert statement.total == (
            statement.flat_fee_amount
            + statement.per_use_amount
            - statement.advance_recouped
            + statement.guarantee_top_up
        )
        assert statement.per_use_amount == sum(
            (line.amount for line in statement.lines.all()), Decimal("0.00")
        )
    # drafting again recomputes the drafts and changes no figure
    before = list(statements.order_by("pk").values_list("pk", "total"))
    call_command("royalties_draft", "2017")
    assert list(statements.order_by("pk").values_list("pk", "total")) == before
    # drafted with every contract's usage read at once, each statement is what its own
    # computation gives: approving (which recomputes it alone) finds the same inputs
    for statement in statements.filter(usage__isnull=False).distinct().order_by("pk")[:10]:
        assert statement_approve(statement=statement).status == "approved"
