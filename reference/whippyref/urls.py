from django.urls import include, path
from rest_framework.routers import DefaultRouter

from stock import views

router = DefaultRouter()  # trailing slashes, and the API root
router.register("providers", views.ProviderViewSet)
router.register("stock-locations", views.StockLocationViewSet)
router.register("stock-list-rules", views.StockListRuleViewSet)
router.register("stock-lists", views.StockListViewSet)
router.register("stocks", views.StockViewSet)

urlpatterns = [
    path("api/v1/auth/login/", views.ObtainAuthToken.as_view()),
    path("api/v1/expire-token/", views.ExpireTokenView.as_view()),
    path("api/v1/", include(router.urls)),
]
