"""Counting related rows in the database, one correlated subquery per count.

`Count("a") + Count("b")` over one query joins both relations, so every row of one is repeated for
each row of the other (and `distinct=True` then has to sort the product away): on a national
database a list of programmes with their nominations, placements and syndicates took seconds. A
correlated subquery counts each relation on its own, using its foreign-key index.
"""

from django.db.models import F, Func, IntegerField, QuerySet, Subquery


def count_of(queryset: QuerySet) -> Subquery:
    """`SELECT COUNT(*)` of `queryset` (filtered on an OuterRef) as an annotation: 0 when it has no rows."""
    counted = queryset.order_by().annotate(_count=Func(F("pk"), function="COUNT")).values("_count")
    return Subquery(counted, output_field=IntegerField())
