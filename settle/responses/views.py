from django.http import HttpResponse

from settle.portal.session import debtor_required


@debtor_required
def respond(request, **kwargs):
    return HttpResponse("todo")
