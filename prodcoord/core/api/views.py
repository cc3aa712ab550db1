from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ..auth import token_expires_at
from ..tokens import token_for, token_rotate
from .fields import InputSerializer
from .schema import InputOutputAutoSchema
from .throttling import TokenRateThrottle


class TokenCredentialsSerializer(InputSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)
    expires_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When the token stops working; null when tokens do not expire"
    )


def token_payload(token):
    expires_at = token_expires_at(token.created)
    return {"token": token.key, "expires_at": serializers.DateTimeField().to_representation(expires_at) if expires_at else None}


class ObtainTokenView(APIView):
    """Exchange a username and password for the API token (``Authorization: Token <key>``)."""

    authentication_classes = ()
    permission_classes = ()
    throttle_classes = (TokenRateThrottle,)
    schema = InputOutputAutoSchema()

    @extend_schema(request=TokenCredentialsSerializer, responses={200: TokenSerializer}, auth=[], tags=["auth"])
    def post(self, request):
        serializer = TokenCredentialsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # Django's own request, which django-axes marks when the login is locked out (its middleware then answers 429).
        user = authenticate(
            request._request, username=serializer.validated_data["username"], password=serializer.validated_data["password"]
        )
        if user is None or not user.is_active:
            raise serializers.ValidationError({"non_field_errors": ["Unable to log in with the username and password given."]})
        return Response(token_payload(token_for(user=user)))


class RotateTokenView(APIView):
    """Replace the caller's API token with a new one; the old token is refused from the next request on."""

    permission_classes = (IsAuthenticated,)
    schema = InputOutputAutoSchema()

    @extend_schema(request=None, responses={200: TokenSerializer}, tags=["auth"], summary="Rotate your API token")
    def post(self, request):
        return Response(token_payload(token_rotate(user=request.user)))
