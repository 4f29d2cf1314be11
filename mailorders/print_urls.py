"""The print room's pages, under /mail/print/."""

from django.urls import path

from mailorders import print_views as views

urlpatterns = [
    path("", views.print_queue_page, name="print-queue"),
    path("batches/", views.batch_create, name="print-batch-create"),
    path("batches/<int:batch_id>/", views.batch_detail, name="print-batch"),
    path("batches/<int:batch_id>/progress", views.batch_progress, name="print-batch-progress"),
    path("batches/<int:batch_id>/pdf", views.batch_pdf_make, name="print-batch-pdf-make"),
    path("batches/<int:batch_id>.pdf", views.batch_pdf, name="print-batch-pdf"),
    path("batches/<int:batch_id>/printed", views.batch_printed, name="print-batch-printed"),
    path("batches/<int:batch_id>/mailed", views.batch_mailed, name="print-batch-mailed"),
    path(
        "batches/<int:batch_id>/pieces/<int:sequence>/failed",
        views.piece_failed,
        name="print-piece-failed",
    ),
    path(
        "batches/<int:batch_id>/pieces/<int:sequence>/reprinted",
        views.piece_reprinted,
        name="print-piece-reprinted",
    ),
    path(
        "batches/<int:batch_id>/pieces/<int:sequence>.pdf",
        views.piece_pdf,
        name="print-piece-pdf",
    ),
]
