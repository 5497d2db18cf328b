"""알림 설정: whether the shop messages its buyers, from which 발신번호 and 카카오 채널, and each message's
switch and 알림톡 템플릿 ID. Off until the merchant turns it on, with the provider's keys in the
environment and a 발신번호: until then nothing is queued and the shop behaves as without messages.
"""

import json
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, g
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import SYSTEM, AuditEntry, MessageTemplate, MessageTemplateSetting, MessagingSettings
from . import Alimtalk
from .templates import CATALOGUE

_CACHE_KEY = "messaging_settings"


@dataclass(frozen=True)
class TemplateSwitch:
    enabled: bool
    template_id: str


@dataclass(frozen=True)
class MessagingInfo:
    enabled: bool
    sender_number: str
    kakao_pf_id: str
    switches: dict[MessageTemplate, TemplateSwitch]
    keys_set: bool

    @property
    def ready(self) -> bool:
        """The shop sends messages: switched on, with the provider's keys and a 발신번호."""
        return self.enabled and self.keys_set and bool(self.sender_number)

    def sends(self, template: MessageTemplate) -> bool:
        return self.ready and self.switches[template].enabled

    def alimtalk(self, template: MessageTemplate, variables: dict[str, str]) -> Alimtalk | None:
        """The 알림톡 for ``template`` when the channel and its 템플릿 ID are set; else it goes as SMS/LMS."""
        template_id = self.switches[template].template_id
        if not (self.kakao_pf_id and template_id and CATALOGUE[template].alimtalk):
            return None
        return Alimtalk(self.kakao_pf_id, template_id, variables)


def keys_set() -> bool:
    config = current_app.config
    return bool(config.get("SOLAPI_API_KEY") and config.get("SOLAPI_API_SECRET"))


def current() -> MessagingInfo:
    """알림 설정 as saved (read once per request or job)."""
    info = g.get(_CACHE_KEY)
    if info is None:
        row = db.session.get(MessagingSettings, 1)
        saved = {s.template: s for s in db.session.scalars(sa.select(MessageTemplateSetting))}
        switches = {
            template: TemplateSwitch(saved[template].enabled, saved[template].template_id)
            if template in saved
            else TemplateSwitch(about.default_on, "")
            for template, about in CATALOGUE.items()
        }
        info = MessagingInfo(
            enabled=bool(row and row.enabled),
            sender_number=row.sender_number if row else "",
            kakao_pf_id=row.kakao_pf_id if row else "",
            switches=switches,
            keys_set=keys_set(),
        )
        setattr(g, _CACHE_KEY, info)
    return info


def missing(info: MessagingInfo) -> list[str]:
    """What the shop still needs before it sends anything, in the merchant's words."""
    items = []
    if not info.keys_set:
        items.append(str(_l("The SOLAPI API key and secret (set on the server, see README)")))
    if not info.sender_number:
        items.append(str(_l("A sender number registered with SOLAPI")))
    if not info.enabled:
        items.append(str(_l("Turning messages on")))
    return items


def save(enabled: bool, sender_number: str, kakao_pf_id: str, switches: dict[MessageTemplate, TemplateSwitch],
         actor: str = SYSTEM) -> None:  # fmt: skip
    """Save 알림 설정; the change is recorded with the account that made it (the names of what changed)."""
    row = db.session.get(MessagingSettings, 1) or MessagingSettings(id=1)
    changed = [
        name
        for name, value in (("enabled", enabled), ("sender_number", sender_number), ("kakao_pf_id", kakao_pf_id))
        if getattr(row, name) != value
    ]
    row.enabled, row.sender_number, row.kakao_pf_id = enabled, sender_number, kakao_pf_id
    db.session.add(row)
    saved = {s.template: s for s in db.session.scalars(sa.select(MessageTemplateSetting))}
    for template, switch in switches.items():
        setting = saved.get(template) or MessageTemplateSetting(template=template)
        if (setting.enabled, setting.template_id) != (switch.enabled, switch.template_id):
            changed.append(template.value)
        setting.enabled, setting.template_id = switch.enabled, switch.template_id
        db.session.add(setting)
    if changed:
        db.session.add(AuditEntry(actor=actor, subject="messaging", action="saved", detail=json.dumps(changed)))
    db.session.flush()
    g.pop(_CACHE_KEY, None)
