"""Template context: the unread count behind the bell in the top bar."""

from django.utils.functional import SimpleLazyObject

from duban.notify.selectors import unread_count


def inbox(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"inbox_unread": 0}
    # Lazy: the count query runs only on pages whose template shows it.
    return {"inbox_unread": SimpleLazyObject(lambda: unread_count(user))}
