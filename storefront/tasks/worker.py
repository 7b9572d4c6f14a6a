"""Entry point for `celery -A storefront.tasks.worker worker|beat` (see `make worker`)."""

from storefront import create_app

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
