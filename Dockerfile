# One image for web, worker and beat (compose.yaml picks the command).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN pybabel compile --use-fuzzy -d storefront/translations \
    && pybabel compile -D wtforms -d storefront/core/wtforms_translations \
    && mkdir -p instance static/uploads \
    && useradd --system --home /app shop && chown -R shop instance static/uploads
USER shop
EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn.conf.py", "storefront:create_app()"]
