"""The service's model as the fake assumes it (whippywaretest/doc.go): lengths, PostgreSQL's
integer range (SQLite checks none, so the validators say it), and the unique stock row."""
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

INT32 = [MinValueValidator(-2147483648), MaxValueValidator(2147483647)]
COUNT = [MinValueValidator(0), MaxValueValidator(2147483647)]  # stock is not negative


class Record(models.Model):
    is_active = models.BooleanField(default=True)
    created_date = models.DateTimeField(auto_now_add=True)
    modified_date = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Provider(Record):
    name = models.CharField(max_length=255)
    code = models.CharField(max_length=128, unique=True)
    should_add_reservations = models.BooleanField(default=False)


class StockLocation(Record):
    name = models.CharField(max_length=255)
    code = models.CharField(max_length=128, unique=True)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="locations")


class StockListRule(Record):
    name = models.CharField(max_length=255)
    rule = models.JSONField(default=dict)
    rule_type = models.CharField(max_length=255)


class StockList(Record):
    code = models.CharField(max_length=128, unique=True)
    name = models.CharField(max_length=255)
    remote_id = models.IntegerField(null=True, blank=True, validators=INT32)
    stock_list_rule = models.ForeignKey(StockListRule, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="stock_lists")


class Stock(Record):
    period = models.DateField(null=True, blank=True)
    stock_type = models.CharField(max_length=255, default="standard")
    unit_type = models.CharField(max_length=255, default="qty")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="stocks")
    location = models.ForeignKey(StockLocation, on_delete=models.PROTECT, related_name="stocks")
    stock = models.IntegerField(validators=COUNT)
    reserved_stock = models.IntegerField(default=0, validators=COUNT)
    sku = models.CharField(max_length=255)

    class Meta:
        unique_together = (("sku", "provider", "location", "stock_type"),)
