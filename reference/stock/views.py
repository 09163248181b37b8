import django_filters
from django.contrib.auth.models import User
from django_filters import rest_framework as filters
from rest_framework import serializers as drf, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.authtoken import views as authtoken
from rest_framework.response import Response
from rest_framework.views import APIView

from . import serializers
from .models import Provider, Stock, StockList, StockListRule, StockLocation


def filterset(model_, *names, **declared):
    meta = type("Meta", (), {"model": model_, "fields": names + ("is_active",)})
    return type(model_.__name__ + "Filter", (filters.FilterSet,), dict(declared, Meta=meta))


class ViewSet(viewsets.ModelViewSet):
    """A ModelViewSet ordered by id that refuses, with a 400, to delete a record in use
    (in_use names why), where PROTECT would end in Django's HTML 500."""

    in_use = ()  # (related manager, message)

    def perform_destroy(self, instance):
        for related, message in self.in_use:
            if getattr(instance, related).exists():
                raise drf.ValidationError([message])
        instance.delete()


class ProviderViewSet(ViewSet):
    queryset = Provider.objects.order_by("id")
    serializer_class = serializers.ProviderSerializer
    filterset_class = filterset(Provider, "code", "name")
    in_use = (("locations", "Cannot delete provider: it still has stock locations."),)


class StockLocationViewSet(ViewSet):
    queryset = StockLocation.objects.order_by("id")
    serializer_class = serializers.StockLocationSerializer
    filterset_class = filterset(StockLocation, "code", "name", "provider")  # provider by id
    in_use = (("stocks", "Cannot delete stock location: it still has stocks."),)


class StockListRuleViewSet(ViewSet):
    queryset = StockListRule.objects.order_by("id")
    serializer_class = serializers.StockListRuleSerializer
    filterset_class = filterset(StockListRule, "name", "rule_type")
    in_use = (("stock_lists", "Cannot delete stock list rule: it is still used by stock lists."),)


class StockListViewSet(ViewSet):
    queryset = StockList.objects.order_by("id")
    serializer_class = serializers.StockListSerializer
    filterset_class = filterset(StockList, "code", "name")


class StockViewSet(ViewSet):
    queryset = Stock.objects.select_related("provider", "location").order_by("id")
    serializer_class = serializers.StockSerializer
    # Stocks name their provider and location by code, in filters too.
    filterset_class = filterset(Stock, "sku", "stock_type", "provider", "location",
                                provider=django_filters.CharFilter(field_name="provider__code"),
                                location=django_filters.CharFilter(field_name="location__code"))


# authtoken's view (its serializer, parsers, get_or_create: one key per user), answering
# {"key": ...} as the documented login does, where authtoken answers {"token": ...}. Its name
# and its empty docstring are authtoken's: OPTIONS shows them.
class ObtainAuthToken(authtoken.ObtainAuthToken):
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"key": token.key})


# POST {"username"} with a valid key: that user's key is deleted, 204. (No docstring: OPTIONS
# would show it as the description.)
class ExpireTokenView(APIView):
    def post(self, request):
        serializer = serializers.ExpireTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = User.objects.filter(username=serializer.validated_data["username"]).first()
        if user is None:
            raise drf.ValidationError({"username": ["User not found."]})
        Token.objects.filter(user=user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
