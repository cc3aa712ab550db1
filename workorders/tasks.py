from celery import shared_task

from .services import work_order_refresh_overdue


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5, soft_time_limit=60, time_limit=90)
def work_order_refresh_overdue_task(self, work_order_id):
    """Re-derive one work order's overdue flag after it changed. Idempotent."""
    work_order_refresh_overdue(work_order_ids=[work_order_id])


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3, soft_time_limit=240, time_limit=300)
def work_orders_flag_overdue_task(self):
    """Periodic: flag open work orders that passed their due date (plant date), clear the rest."""
    flagged, cleared = work_order_refresh_overdue()
    return {"flagged": flagged, "cleared": cleared}
