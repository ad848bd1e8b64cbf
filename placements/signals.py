"""Events of the week's plan that other apps react to, so `placements` never imports them."""

from django.dispatch import Signal

# Sent inside the swapping transaction (placements.services.session_replace), after the contingency
# session is saved, with `session` (the cancelled Session), `replacement` (the Session standing in for
# it, with the same syndicates) and `actor`. Communications tells the students' families, their schools
# and the departments concerned; a receiver that raises rolls the swap back.
session_replaced = Signal()

# Sent by writes that change which sessions a syndicate attends without a model signal (bulk_create of a generated
# timetable), with `programme`. Surveys asks its students about the activities they attended.
timetable_changed = Signal()
