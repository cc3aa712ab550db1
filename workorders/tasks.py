from celery import shared_task

from .services import work_order_refresh_overdue


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3, soft_time_limit=240, time_limit=300)
def work_orders_flag_overdue_task(self):
    """Periodic: flag open work orders that passed their due date (plant date), clear the rest.

    The services set the flag with every change; this catches the date rolling over."""
    flagged, cleared = work_order_refresh_overdue()
    return {"flagged": flagged, "cleared": cleared}
