from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person who signs in: coordinator, institution contact, syndicate lead, mentor or admin.

    What a user may see is decided in `accounts.scoping`, from the force person or institution
    contact linked to them, never from fields on this row.
    """

    email = models.EmailField("email address", blank=True, db_index=True)

    class Meta:
        ordering = ["username"]
        permissions = [
            ("platform_admin", "Can use the Django admin as a platform administrator"),
            # The national role (a national coordinator or practice lead): anonymised figures across the
            # forces that share them, never a child's record. Given by a superuser under Users, to someone
            # who belongs to no force and no school (accounts.scoping ignores it for anyone who does).
            ("national_figures", "National coordinator or practice lead: sees the national figures only"),
        ]

    def __str__(self):
        return self.get_full_name() or self.username
