import json
import os
import secrets

from django.contrib.auth import get_user_model
from django.http import HttpResponseForbidden, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from oauth2_provider.models import get_application_model

from .models import Claims


@csrf_exempt
@require_POST
def control(request):
    """The tests set up clients and users here (the run's control key required)."""
    if not secrets.compare_digest(request.headers.get("X-Control-Key", ""), os.environ["IDP_CONTROL_KEY"]):
        return HttpResponseForbidden()
    data = json.loads(request.body)
    User = get_user_model()
    if data["do"] == "client":
        Application = get_application_model()
        Application.objects.filter(client_id=data["client_id"]).delete()
        Application.objects.create(
            name=data["client_id"],
            client_id=data["client_id"],
            client_secret=data["client_secret"],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=data["redirect_uri"],
            post_logout_redirect_uris=data["post_logout_redirect_uri"],
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=True,
        )
    elif data["do"] == "user":
        user, _ = User.objects.update_or_create(
            username=data["username"],
            defaults={"email": data["email"], "first_name": data.get("first_name", ""), "is_active": True},
        )
        user.set_password(data["password"])
        user.save()
        Claims.objects.update_or_create(
            user=user, defaults={"email_verified": data["email_verified"], "amr": data["amr"]}
        )
    elif data["do"] == "remove_user":
        User.objects.filter(username=data["username"]).delete()
    return JsonResponse({"ok": True})
