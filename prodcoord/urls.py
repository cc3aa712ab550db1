from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from prodcoord.core.views import LoginView

api_v1 = [
    path("", include("prodcoord.core.api.urls")),
    path("", include("prodcoord.events.api.urls")),
    path("", include("prodcoord.notifications.api.urls")),
    path("", include("plant.api.urls")),
    path("", include("materials.api.urls")),
    path("", include("planning.api.urls")),
    path("", include("workorders.api.urls")),
    path("", include("coordination.api.urls")),
    path("", include("reports.api.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: the Content-Security-Policy refuses inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("prodcoord.notifications.urls")),
    path("", include("coordination.urls")),
    path("", include("planning.urls")),
    path("", include("plant.urls")),
    path("", include("workorders.urls")),
    path("", include("reports.urls")),
]
