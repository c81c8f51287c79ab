from ninja import NinjaAPI

api = NinjaAPI(title="Settle API", version="1", urls_namespace="api-v1")
