"""Dunning runs and their history, under /backoffice/dunning/ in the "backoffice" namespace."""

from django.urls import path

from settle.backoffice.views.dunning import runs

urlpatterns = [
    path("history/", runs.run_list, name="dunning_run_list"),
    path("runs/<int:pk>/", runs.run_detail, name="dunning_run"),
    path("runs/<int:pk>/progress/", runs.run_progress, name="dunning_run_progress"),
    path("runs/<int:pk>/letters.pdf", runs.run_letters, name="dunning_run_letters"),
    path("runs/<int:pk>/agency.csv", runs.run_agency_csv, name="dunning_run_agency_csv"),
    path("items/<int:pk>/", runs.item_detail, name="dunning_item"),
    path("items/<int:pk>/letters.pdf", runs.item_letters, name="dunning_item_letters"),
]
