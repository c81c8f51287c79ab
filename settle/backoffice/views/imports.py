from django.http import HttpResponse


def _todo(request, **kwargs):
    return HttpResponse("todo")


debtor_list = debtor_detail = invoice_list = invoice_detail = invoice_document = _todo
import_list = import_detail = _todo
