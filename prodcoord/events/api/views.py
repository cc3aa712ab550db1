from prodcoord.core.api.viewsets import ServiceViewSet

from ..filters import EventFilter
from ..selectors import event_list
from .serializers import EventSerializer


class EventViewSet(ServiceViewSet):
    """The activity feed and audit trail, newest first."""

    serializer_class = EventSerializer
    filterset_class = EventFilter
    ordering_fields = ["at"]

    def get_queryset(self):
        return event_list()
