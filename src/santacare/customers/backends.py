"""The login backend: allauth's, with the session's user read together with its contact.

Every portal request needs both (R11: `contact_required`); read apart they were two queries per
request (issue 12). An agent's user has no contact and gets an empty join.

It comes first in AUTHENTICATION_BACKENDS, so a login records it in the session; Django's and
allauth's own backends stay listed for the sessions that recorded them before it existed.
"""

from allauth.account.auth_backends import AuthenticationBackend

from santacare.accounts.models import User

# What `current_contact` reads of a contact: its customer and that customer's SDM.
CONTACT_RELATIONS = ("contact__customer", "contact__customer__service_delivery_manager")


class UserWithContactBackend(AuthenticationBackend):
    def get_user(self, user_id: int) -> User | None:
        user = User.objects.select_related(*CONTACT_RELATIONS).filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
