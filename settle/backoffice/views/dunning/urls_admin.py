"""Administration of dunning (under /backoffice/dunning/): action groups, schedules and interest
rates for administrators (named settings_dunning_*, so the main menu marks Settings), and the
holds any employee sets from the invoice and debtor pages."""

from django.urls import path

from settle.backoffice.views.dunning import admin, admin_holds, admin_schedules

urlpatterns: list = [
    path("groups/", admin.group_list, name="settings_dunning_groups"),
    path("groups/add/", admin.group_create, name="settings_dunning_group_create"),
    path("groups/<int:pk>/", admin.group_detail, name="settings_dunning_group"),
    path("groups/<int:pk>/rename/", admin.group_rename, name="settings_dunning_group_rename"),
    path("groups/<int:pk>/delete/", admin.group_delete, name="settings_dunning_group_delete"),
    path("groups/<int:pk>/actions/", admin.action_add, name="settings_dunning_action_add"),
    path("actions/<int:pk>/", admin.action_edit, name="settings_dunning_action_edit"),
    path("actions/<int:pk>/move/", admin.action_move, name="settings_dunning_action_move"),
    path("actions/<int:pk>/delete/", admin.action_delete, name="settings_dunning_action_delete"),
    path("schedules/", admin_schedules.schedule_list, name="settings_dunning_schedules"),
    path(
        "schedules/add/",
        admin_schedules.schedule_create_view,
        name="settings_dunning_schedule_create",
    ),
    path("schedules/<int:pk>/", admin_schedules.schedule_edit, name="settings_dunning_schedule"),
    path(
        "schedules/<int:pk>/stop/",
        admin_schedules.schedule_deactivate_view,
        name="settings_dunning_schedule_deactivate",
    ),
    path("interest-rates/", admin_schedules.rate_list, name="settings_dunning_rates"),
    path("holds/", admin_holds.hold_create_view, name="dunning_hold_create"),
    path("holds/<int:pk>/lift/", admin_holds.hold_lift_view, name="dunning_hold_lift"),
]
