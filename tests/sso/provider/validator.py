from oauth2_provider.oauth2_validators import OAuth2Validator


class ClaimsValidator(OAuth2Validator):
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "amr": "openid"}

    def get_additional_claims(self, request):
        user = request.user
        claims = getattr(user, "idp_claims", None)
        return {
            "email": user.email,
            "email_verified": bool(claims and claims.email_verified),
            "given_name": user.first_name,
            "family_name": user.last_name,
            "amr": claims.amr if claims else ["pwd"],
        }
