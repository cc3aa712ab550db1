from django.conf import settings


def plant(request):
    return {"PLANT_NAME": settings.PLANT_NAME, "PLANT_TIME_ZONE": settings.PLANT_TIME_ZONE}
