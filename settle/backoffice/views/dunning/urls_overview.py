"""The dunning overview: filter and select invoices, confirm the counts, start the run."""

from django.urls import path

from settle.backoffice.views.dunning import overview

urlpatterns = [
    path("", overview.dunning_overview, name="dunning_overview"),
    path("confirm/", overview.dunning_confirm, name="dunning_confirm"),
    path("start/", overview.dunning_start, name="dunning_start"),
]
