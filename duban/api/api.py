"""The JSON API under /api/ (django-ninja).

Authentication: a personal token (`Authorization: Bearer <token>`, created on the
“API 令牌” page or with `manage.py create_api_token`) or the logged-in session
(CSRF checked for unsafe methods). Permissions are the pages' rules
(duban.org.access). Errors: see duban.api.errors.
"""

import copy

from ninja import NinjaAPI

from duban.api import errors
from duban.api.auth import SessionAuth, TokenAuth
from duban.api.docs import OfflineSwagger, docs_asset, docs_guard
from duban.assessment.api import router as assessment_router
from duban.leave.api import router as leave_router
from duban.meetings.api import router as meetings_router
from duban.notify.api import router as notify_router
from duban.org.api import router as org_router
from duban.rectification.api import router as rectification_router
from duban.supervision.api import router as supervision_router

DESCRIPTION = """督办平台的 JSON 接口。

**认证**：在请求头中携带个人令牌 `Authorization: Bearer <令牌>`（在“API 令牌”页面创建，
或运行 `python manage.py create_api_token 登录名`）；浏览器中已登录的会话也可直接调用
（修改类请求须带 `X-CSRFToken`）。

**权限**：与网页相同。浏览组织机构须拥有任一角色；新增、修改单位和人员仅限系统管理员。
督办计划和事项：督查办、纪检和全校范围的校领导可见全部，其他人只见本单位牵头或协办、本人帮包或负责的事项
（看不到的事项返回 404）；建计划、建事项、审核报告、督办单、提醒规则仅限督查办；填报由牵头单位联络员或负责人，
提交由单位负责人；延期由督查办或帮包领导审批；问责由纪检或督查办记录。消息接口对每个登录用户只返回本人的消息。
督查督办接口对系统、安全、审计管理员和无角色者一律 403；看不到的事项（非本单位牵头或协办、
非本人帮包或负责）返回 404；计划和事项的维护、报告审核仅限督查办，填报、提交、申请延期、
审批延期按牵头单位的联络员、负责人和帮包领导区分，无权时 403 并说明原因。
整改台账（`/api/rectification/`）：问题和措施的可见范围同督办事项；维护台账、审批销号、回头看开闭、答复职工意见
仅限督查办；销号申请由牵头单位负责人、联络员或责任人提出，审核和复查由联系该单位的联络组成员进行。公开内容接口只返回公开字段，任何人名都不返回；匿名意见不返回提出人。
述职评议和单位考核（`/api/assessment/`）：评议的设置、投票进度和结果由督查办、校领导、纪检查看，被测评人本人只能看到
自己的结果；评议的建立、开始、结束、重新开放和生成投票码仅限督查办。**没有投票接口**：选票只能在扫码打开的投票页面提交。
考核规则公布后，单位负责人和联络员可查看规则和本单位得分；人工评分仅限该考核期的评分人。
会议（`/api/meetings/`）：督查办、校领导、纪检可见全部会议，其他人只见本人受邀、组织或本单位主办、汇报的会议（筹备中的会议
只有督查办、会务联系人和主办单位负责人、联络员可见）；回复参会、会议请假由受邀人本人提出，准假、签到登记由督查办、
会务联系人或主办单位负责人、联络员办理；
议程材料由汇报单位的负责人或联络员报送。出勤统计：督查办、校领导、纪检看全部，单位负责人和联络员看本单位。
请销假（`/api/leave/`）：申请、撤回、销假由本人办理；审批由该环节的办理人或其委托的代理人办理（不能审批自己的申请）；
日历只显示类型和日期，事由仅申请人和审批链上的人可见；年休假余额只返回本人的。

**防止覆盖他人的修改**：事项、报告和问题的响应中有 `version`（版本号）。修改事项、填报或提交报告时可带上读取时的
`version`，更新问题时必须带上；其间已被他人修改时返回 409 而不保存，响应中有当前版本号 `version` 和对方改了什么
（`changes`：字段、原值、新值、修改人、时间），核对后以新的版本号重新提交即可。

**错误**：统一返回 `{"detail": "中文说明"}`。401 未认证，403 无权访问，404 对象不存在，
422 请求格式不符（`errors` 为逐项列表），400 数据校验未通过（`errors` 按字段列出），
409 已被他人修改（见上）。
"""


class DubanAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Built once per process and copied out: the routes do not change at run time, and
        building the schema of ~140 operations takes about two seconds (ninja rebuilds it for
        every request of /api/openapi.json otherwise)."""
        key = (path_prefix, tuple(sorted((path_params or {}).items())))
        cache = self.__dict__.setdefault("_schema_cache", {})
        if key not in cache:
            schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
            cache[key] = errors.document_schema_errors(schema)
        return copy.deepcopy(cache[key])


api = DubanAPI(
    title="duban API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    docs=OfflineSwagger(settings={"persistAuthorization": False, "docExpansion": "list"}),
    docs_url="/docs",
    openapi_url="/openapi.json",
    docs_decorator=docs_guard,
)
errors.register(api)

api.get("/docs/assets/{name}", auth=None, include_in_schema=False, url_name="docs-asset")(docs_asset)
api.add_router("/", org_router)
api.add_router("/", supervision_router)
api.add_router("/", notify_router)
api.add_router("/", rectification_router)
api.add_router("/", assessment_router)
api.add_router("/", meetings_router)
api.add_router("/", leave_router)
