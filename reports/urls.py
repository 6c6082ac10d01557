from django.urls import path

from .views import exports, extract, minimum_dataset, pages, snapshots

app_name = "reports"

urlpatterns = [
    path("reports/", pages.home, name="home"),
    path("reports/definitions/", pages.definitions, name="definitions"),
    path("reports/snapshots/", snapshots.snapshot_list, name="snapshots"),
    path("reports/snapshots/<int:pk>/", snapshots.snapshot_detail, name="snapshot"),
    path("reports/exports/", exports.export_list, name="exports"),
    path("reports/exports/<slug:kind>.csv", exports.export_csv, name="export"),
    path("reports/evaluation-extract/", extract.extract_page, name="extract"),
    path("reports/evaluation-extract.csv", extract.extract_csv, name="extract-csv"),
    path(
        "exports/minimum-dataset.csv",
        minimum_dataset.minimum_dataset_csv,
        name="minimum-dataset-csv",
    ),
    path(
        "exports/minimum-dataset.json",
        minimum_dataset.minimum_dataset_json,
        name="minimum-dataset-json",
    ),
    path("reports/<slug:slug>/", pages.report, name="report"),
]
