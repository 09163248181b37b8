from rest_framework import serializers

from .models import Provider, Stock, StockList, StockListRule, StockLocation

HEAD = ("id", "created_date", "modified_date")  # fields in the documented examples' order


class ProviderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Provider
        fields = HEAD + ("is_active", "name", "code", "should_add_reservations")


class StockLocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = StockLocation
        fields = HEAD + ("is_active", "name", "code", "provider")

    def validate_provider(self, provider):
        # Its stocks name the location's provider: a location with stocks stays where it is.
        if self.instance and provider != self.instance.provider and self.instance.stocks.exists():
            raise serializers.ValidationError("Cannot move a stock location that still has stocks to another provider.")
        return provider


class StockListRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = StockListRule
        fields = HEAD + ("is_active", "name", "rule", "rule_type")

    def validate_rule(self, rule):
        if not isinstance(rule, dict):  # DictField's message
            raise serializers.ValidationError('Expected a dictionary of items but got type "%s".' % type(rule).__name__)
        return rule


class StockListSerializer(serializers.ModelSerializer):
    class Meta:
        model = StockList
        fields = HEAD + ("is_active", "code", "name", "remote_id", "stock_list_rule")


class StockSerializer(serializers.ModelSerializer):
    # The documented stock names its provider and its location by code.
    provider = serializers.SlugRelatedField(slug_field="code", queryset=Provider.objects.all())
    location = serializers.SlugRelatedField(slug_field="code", queryset=StockLocation.objects.all())

    class Meta:
        model = Stock
        fields = HEAD + ("period", "stock_type", "unit_type", "provider", "location", "stock", "reserved_stock",
                         "is_active", "sku")

    def validate(self, attrs):
        provider = attrs.get("provider", getattr(self.instance, "provider", None))
        location = attrs.get("location", getattr(self.instance, "location", None))
        if location.provider_id != provider.id:
            raise serializers.ValidationError(
                {"location": ['Stock location "%s" does not belong to provider "%s".' % (location.code, provider.code)]})
        return attrs


class ExpireTokenSerializer(serializers.Serializer):
    username = serializers.CharField()
