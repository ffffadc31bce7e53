from surveys import public

app_name = "poll"
urlpatterns = public.urlpatterns
