from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from .authentication import APITokenAuthentication
from .mfa import mfa_required_for, session_passed_mfa
from .services import issue_api_token, record_audit_event, revoke_api_token, revoke_api_tokens


class MembershipSerializer(serializers.Serializer):
    role = serializers.CharField()
    organisation = serializers.CharField(source="organisation.name")
    organisation_kind = serializers.CharField(source="organisation.kind")


class MeSerializer(serializers.Serializer):
    email = serializers.EmailField()
    name = serializers.CharField(source="display_name")
    memberships = MembershipSerializer(many=True)


class MeView(APIView):
    """Who the token or session belongs to, and their roles: a cheap check for integrations."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        memberships = user.memberships.select_related("organisation")
        data = {"email": user.email, "display_name": user.display_name, "memberships": memberships}
        return Response(MeSerializer(data).data)


class PingSerializer(serializers.Serializer):
    pong = serializers.BooleanField()


class PingView(APIView):
    """The benchmark's floor: authenticated, through the whole middleware and DRF stack, and
    touching no table beyond what signing in needs (the session and the user row)."""

    @extend_schema(responses=PingSerializer)
    def get(self, request):
        return Response({"pong": True})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="The secret: shown once, never stored by the service.")
    token_id = serializers.CharField(help_text="The token's id in the audit trail.")
    expiry = serializers.DateTimeField()


class TokenIssueView(APIView):
    """A new API token, for a signed-in session only (a token cannot mint another, so none
    outlives its expiry). A user whose role needs two-factor authentication gets one only from
    a session that passed the second factor."""

    authentication_classes = [SessionAuthentication]

    @extend_schema(request=None, responses={201: TokenSerializer})
    def post(self, request):
        user = request.user
        verified = session_passed_mfa(request._request, user)
        if mfa_required_for(user) and not verified:
            raise PermissionDenied(
                "Sign in with your second factor before asking for an API token.",
                code="mfa_required",
            )
        token, secret = issue_api_token(user=user, mfa_verified=verified)
        data = {"token": secret, "token_id": token.token_key, "expiry": token.expiry}
        return Response(TokenSerializer(data).data, status=status.HTTP_201_CREATED)


class TokenRevokeView(APIView):
    """The token this request carries stops working."""

    authentication_classes = [APITokenAuthentication]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        revoke_api_token(token=request.auth, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenRevokeAllView(APIView):
    """Every token of this user stops working (sessions stay: end them from the web)."""

    authentication_classes = [SessionAuthentication, APITokenAuthentication]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        revoked = revoke_api_tokens(user=request.user)
        record_audit_event(
            actor=request.user,
            action="api_token_revoked",
            object_type="user",
            object_id=request.user.pk,
            detail=f"all {revoked} API token(s) revoked",
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
