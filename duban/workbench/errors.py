"""Error pages in Chinese; API paths get JSON instead."""

from django.http import JsonResponse
from django.shortcuts import render


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def forbidden(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": "无权访问。"}, status=403)
    return render(request, "errors/403.html", status=403)


def not_found(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": "对象不存在。"}, status=404)
    return render(request, "errors/404.html", status=404)


def server_error(request):
    if _wants_json(request):
        return JsonResponse({"detail": "服务器内部错误，请稍后重试或联系系统管理员。"}, status=500)
    return render(request, "errors/500.html", status=500)
