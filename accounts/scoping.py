"""The one place that decides what a signed-in user may see.

Every view and every admin queryset goes through `scoped()`; object look-ups go through
`get_for_user()`, which answers 404 (not 403) for anything outside the user's scope, so an
outsider cannot even learn that a record exists.

Scope comes from the roles a user holds:
- admin (superuser): everything;
- coordinator: everything of their own force;
- institution contact: their own institution, its nominations, consents, placements, certificates;
- syndicate lead: their syndicates, the students in them, those students' attendance and sessions;
- mentor: their own mentees (assignments, contact logs, outcomes);
- partner person (someone at a partner organisation given a sign-in): the actions they own, their
  organisation's roles on programmes, and the documents of their organisation or of those programmes;
  never a student, a nomination or any other record of a child.
- national (a national coordinator or practice lead, holding `accounts.national_figures` and belonging
  to no force and no school): no row of any model here; only the anonymised national figures
  (reports.national), which come from no scoped query.
"""

from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

from django.apps import apps
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from core.versioned_cache import version_change, versioned_get

M = TypeVar("M", bound=Model)

# How each model reaches its force, for coordinators.
FORCE_PATHS = {
    "placements.force": "pk",
    "placements.department": "force",
    "placements.forceperson": "force",
    "placements.forcepersoninvitation": "person__force",
    "placements.programme": "force",
    "placements.weekgroup": "force",
    "placements.syndicate": "programme__force",
    "placements.placement": "programme__force",
    "placements.activity": "force",
    "placements.learningoutcome": "activity__force",
    "placements.session": "programme__force",
    "placements.attendance": "placement__programme__force",
    "placements.budgetline": "programme__force",
    "placements.departmentunavailability": "department__force",
    "placements.spendentry": "budget_line__programme__force",
    "placements.planninghours": "programme__force",
    "schools.institution": "force",
    "schools.institutioncontact": "institution__force",
    "schools.allocation": "programme__force",
    "schools.nomination": "programme__force",
    "schools.consent": "nomination__programme__force",
    "schools.consentlink": "consent__nomination__programme__force",
    "schools.contactinvitation": "institution__force",
    "surveys.survey": "programme__force",
    "surveys.question": "survey__programme__force",
    "surveys.invitation": "survey__programme__force",
    "surveys.response": "invitation__survey__programme__force",
    "surveys.answer": "response__invitation__survey__programme__force",
    "surveys.surveytemplate": "force",
    "surveys.templatequestion": "template__force",
    "certificates.certificatetemplate": "force",
    "certificates.certificate": "force",
    "certificates.serialcounter": "force",
    "certificates.issuejob": "programme__force",
    "certificates.studentlink": "placement__programme__force",
    "mentoring.mentorassignment": "placement__programme__force",
    "mentoring.mentorcontact": "assignment__placement__programme__force",
    "mentoring.outcome": "placement__programme__force",
    "mentoring.mentoringsettings": "force",
    "mentoring.mentoringreferral": "placement__programme__force",
    "mentoring.mentorreminder": "assignment__placement__programme__force",
    "communications.joininginstructions": "programme__force",
    "communications.joininglink": "placement__programme__force",
    "communications.calendarevent": "programme__force",
    "events.event": "force",
    "events.invitation": "event__force",
    "communications.staffbriefing": "programme__force",
    "communications.textconsent": "placement__programme__force",
    "communications.messagetemplate": "force",
    "communications.audiencemessage": "force",
    "communications.messagerecipient": "message__force",
    "core.outboundemail": "force",
    "core.outboundsms": "force",
    "privacy.retentionpolicy": "force",
    "privacy.erasure": "nomination__programme__force",
    "privacy.forcenotice": "force",
    "reports.practicereport": "programme__force",
    "partners.organisation": "force",
    "partners.partnerperson": "organisation__force",
    "partners.partnerinvitation": "person__organisation__force",
    "partners.programmepartner": "programme__force",
    "partners.meeting": "programme__force",
    "partners.action": "programme__force",
    "partners.documentrules": "force",
    "partners.document": "force",
    "partners.riskassessmentoverride": "programme__force",
    "reports.nationalsharing": "force",
    "reports.sharelink": "force",
    "sso.forcesignon": "force",
    "sso.signonidentity": "sign_on__force",
}

# How each model reaches its institution, for institution contacts. Models absent here
# (survey answers, mentor contact logs, budget …) are never shown to institution contacts.
INSTITUTION_PATHS = {
    "schools.institution": "pk",
    "schools.institutioncontact": "institution",
    "schools.allocation": "institution",
    "schools.nomination": "institution",
    "schools.consent": "nomination__institution",
    "schools.contactinvitation": "institution",
    "placements.placement": "nomination__institution",
    "placements.attendance": "placement__nomination__institution",
    "certificates.certificate": "placement__nomination__institution",
    "certificates.studentlink": "placement__nomination__institution",
    "surveys.invitation": "placement__nomination__institution",
}

# How each model reaches the syndicate lead (a ForcePerson), for syndicate leads.
LEAD_PATHS = {
    "placements.syndicate": "lead",
    "placements.placement": "syndicate__lead",
    "placements.attendance": "placement__syndicate__lead",
    "schools.nomination": "placement__syndicate__lead",
}

# How each model reaches the mentor (a ForcePerson), for mentors.
MENTOR_PATHS = {
    "mentoring.mentorassignment": "mentor",
    "mentoring.mentorcontact": "assignment__mentor",
    "mentoring.mentorreminder": "assignment__mentor",
}

# How each model reaches the partner person, for partner people with a sign-in. Models absent here
# (and every model of placements, schools, surveys …) are never shown to them.
PARTNER_PERSON_PATHS = {
    "partners.partnerperson": "pk",
    "partners.action": "owner_partner",
}
# How each model reaches the partner person's organisation.
PARTNER_ORGANISATION_PATHS = {
    "partners.organisation": "pk",
    "partners.programmepartner": "organisation",
}


@dataclass(frozen=True)
class Scope:
    """The roles of one user, worked out once per request."""

    user_id: int | None = None
    is_admin: bool = False
    force_ids: frozenset = field(default_factory=frozenset)
    institution_ids: frozenset = field(default_factory=frozenset)
    person_id: int | None = None
    person_force_id: int | None = None
    is_lead: bool = False
    is_mentor: bool = False
    partner_person_id: int | None = None
    partner_organisation_id: int | None = None
    is_national: bool = False

    @property
    def is_coordinator(self) -> bool:
        return bool(self.force_ids)

    @property
    def is_contact(self) -> bool:
        return bool(self.institution_ids)

    @property
    def is_partner(self) -> bool:
        return self.partner_person_id is not None

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    @property
    def roles(self) -> list[str]:
        names = [
            ("admin", self.is_admin),
            ("coordinator", self.is_coordinator),
            ("contact", self.is_contact),
            ("lead", self.is_lead),
            ("mentor", self.is_mentor),
            ("partner", self.is_partner),
            ("national", self.is_national),
        ]
        return [name for name, held in names if held]

    def coordinates(self, force_id: int | None) -> bool:
        return self.is_admin or force_id in self.force_ids

    def condition(self, model: type[Model]) -> Q | None:
        """A Q that selects the rows of `model` this user may see, or None for none at all."""
        if self.is_admin:
            return Q()
        label = model._meta.label_lower
        parts = []
        if self.force_ids and label in FORCE_PATHS:
            parts.append(Q(**{f"{FORCE_PATHS[label]}__in": self.force_ids}))
        if self.institution_ids:
            parts.extend(_institution_conditions(label, self.institution_ids))
        if self.is_lead:
            parts.extend(_lead_conditions(label, self.person_id))
        if self.is_mentor:
            parts.extend(_mentor_conditions(label, self.person_id))
        if self.is_partner:
            parts.extend(_partner_conditions(label, self.partner_person_id, self.partner_organisation_id))
        if not parts:
            return None
        combined = Q()
        for part in parts:
            combined |= part
        return combined


def _institution_conditions(label: str, institution_ids: frozenset) -> list[Q]:
    if label in INSTITUTION_PATHS:
        return [Q(**{f"{INSTITUTION_PATHS[label]}__in": institution_ids})]
    if label == "placements.programme":
        allocations = apps.get_model("schools", "Allocation").objects.filter(institution__in=institution_ids)
        return [Q(pk__in=allocations.values("programme"))]
    return []


def _lead_conditions(label: str, person_id: int | None) -> list[Q]:
    if label in LEAD_PATHS:
        return [Q(**{LEAD_PATHS[label]: person_id})]
    syndicates = apps.get_model("placements", "Syndicate").objects.filter(lead=person_id)
    if label == "placements.programme":
        return [Q(pk__in=syndicates.values("programme"))]
    if label == "placements.session":
        return [
            Q(pk__in=apps.get_model("placements", "Session").objects.filter(syndicates__in=syndicates).values("pk"))
        ]
    return []


def _mentor_conditions(label: str, person_id: int | None) -> list[Q]:
    if label in MENTOR_PATHS:
        return [Q(**{MENTOR_PATHS[label]: person_id})]
    assignments = apps.get_model("mentoring", "MentorAssignment").objects.filter(mentor=person_id)
    if label == "placements.placement":
        return [Q(pk__in=assignments.values("placement"))]
    if label == "schools.nomination":
        return [Q(placement__in=assignments.values("placement"))]
    if label == "mentoring.outcome":
        return [Q(placement__in=assignments.values("placement"))]
    if label == "placements.programme":
        return [Q(pk__in=assignments.values("placement__programme"))]
    return []


def _partner_conditions(label: str, person_id: int, organisation_id: int | None) -> list[Q]:
    if label in PARTNER_PERSON_PATHS:
        return [Q(**{PARTNER_PERSON_PATHS[label]: person_id})]
    if label in PARTNER_ORGANISATION_PATHS:
        return [Q(**{PARTNER_ORGANISATION_PATHS[label]: organisation_id})]
    if label == "partners.document":
        roles = apps.get_model("partners", "ProgrammePartner").objects.filter(organisation=organisation_id)
        return [Q(organisation=organisation_id) | Q(programme__in=roles.values("programme"))]
    return []


ANONYMOUS = Scope()


def scope_for(user: Any) -> Scope:
    """The user's Scope, cached on the user object for the rest of the request, and in the cache until roles change."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_scope", None)
    if cached is not None:
        return cached
    scope = _scope_cached(user)
    user._scope = scope
    return scope


# Every signed-in request needs the user's scope, which takes 3 queries to work out; the cache keeps it, per
# user, under the roles' version: a random token changed whenever a role anywhere changes (roles_changed), so a
# role taken away counts from the next request. Only the user's own entry is read back, and only for the user
# (and the superuser flag) it was worked out for, so one user's scope is never another's.
ROLES_VERSION = "scope:roles-version"
# A last resort for a change made with no signal and no roles_changed() (a bulk update typed into a shell).
SCOPE_SECONDS = 10 * 60


# A Scope stored by an older release (with other fields) is not read back as this one.
_SCOPE_SHAPE = ",".join(f.name for f in fields(Scope))


def _scope_key(user: Any) -> str:
    return f"scope:user:{user.pk}"


def _scope_cached(user: Any) -> Scope:
    return versioned_get(
        ROLES_VERSION,
        _scope_key(user),
        lambda: _scope_from_database(user),
        timeout=SCOPE_SECONDS,
        tag=(user.pk, user.is_superuser, _SCOPE_SHAPE),
    )


def roles_changed() -> None:
    """Every cached scope is worked out again at its next use: now, and again when this transaction commits.

    Called by the signals connected in connect_role_signals() and by any write that changes who holds a role
    without them (bulk_create, QuerySet.update). Again on commit: a scope another request worked out in between,
    from the roles as they were, is then left behind too.
    """
    _roles_version_change()
    transaction.on_commit(_roles_version_change)


def _roles_version_change() -> None:
    version_change(ROLES_VERSION)


def _roles_signal(sender: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        roles_changed()


# Whatever a Scope is worked out from. A user's own superuser flag is part of the cache key instead.
ROLE_MODELS = (
    "placements.ForcePerson",
    "placements.Syndicate",
    "schools.InstitutionContact",
    "partners.PartnerPerson",
    "partners.Organisation",
    "auth.Group",
    "auth.Permission",
)


def connect_role_signals() -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for label in ROLE_MODELS:
        post_save.connect(_roles_signal, sender=label, dispatch_uid=f"scope-roles-saved-{label}")
        post_delete.connect(_roles_signal, sender=label, dispatch_uid=f"scope-roles-deleted-{label}")
    User = get_user_model()
    # The national role is a permission, held directly or through a group.
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(_roles_signal, sender=through, dispatch_uid=f"scope-roles-m2m-{through._meta.label}")


def _scope_from_database(user: Any) -> Scope:
    Syndicate = apps.get_model("placements", "Syndicate")
    ForcePerson = apps.get_model("placements", "ForcePerson")
    InstitutionContact = apps.get_model("schools", "InstitutionContact")
    person = ForcePerson.objects.filter(user=user, is_active=True).first()
    institution_ids = frozenset(
        InstitutionContact.objects.filter(user=user, is_active=True).values_list("institution_id", flat=True)
    )
    # Only someone with no other role is looked up as a partner person (a sign-in is given to a partner
    # only if it holds no other role), so the other roles' requests cost no extra query.
    partner = None
    if person is None and not institution_ids:
        PartnerPerson = apps.get_model("partners", "PartnerPerson")
        partner = (
            PartnerPerson.objects.filter(user=user, is_active=True, organisation__is_active=True)
            .only("pk", "organisation_id")
            .first()
        )
    scope = Scope(
        user_id=user.pk,
        is_admin=user.is_superuser,
        force_ids=frozenset([person.force_id]) if person and person.is_coordinator else frozenset(),
        institution_ids=institution_ids,
        person_id=person.pk if person else None,
        person_force_id=person.force_id if person else None,
        is_lead=bool(person) and Syndicate.objects.filter(lead=person).exists(),
        is_mentor=bool(person) and person.is_mentor,
        partner_person_id=partner.pk if partner else None,
        partner_organisation_id=partner.organisation_id if partner else None,
        # Someone of a force or a school sees their own records and is never also the national role, so
        # the national figures never sit beside a child's record in one account.
        is_national=not person
        and not institution_ids
        and not user.is_superuser
        and user.has_perm(f"{user._meta.app_label}.national_figures"),
    )
    return scope


def scoped(user: Any, model_or_queryset: type[M] | QuerySet[M]) -> QuerySet[M]:
    """Only the rows of a model (or queryset) that `user` may see."""
    queryset = model_or_queryset
    if not hasattr(queryset, "query"):
        queryset = queryset._default_manager.all()
    condition = scope_for(user).condition(queryset.model)
    if condition is None:
        return queryset.none()
    return queryset.filter(condition)


def get_for_user(user: Any, model_or_queryset: type[M] | QuerySet[M], **lookup: Any) -> M:
    """One row the user may see, or 404 — never 403, so outsiders learn nothing."""
    queryset = scoped(user, model_or_queryset)
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404(f"No {queryset.model._meta.verbose_name} found.") from None
