from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView


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
