"""Conversations: send as a human, take over, hand back, close.

Sending never talks to the platform directly: the message is written to the
store as `pending` together with an outbox row (one transaction), shows at
once, and the sync engine delivers it exactly once, in order per
conversation, when the platform is reachable.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select

from console.errors import ConsoleError, UserInputError
from console.services.platform.client import PlatformClient
from console.services.platform.models import Message as RemoteMessage
from console.services.sync.outbox import Delivery, Handler, enqueue
from console.store.db import Store, Transaction
from console.store.models import Message

logger = logging.getLogger(__name__)

POST_MESSAGE = "message.post"
MAX_MESSAGE_LENGTH = 4096


def conversation_target(session_id: str) -> str:
    """Outbox target: messages of one conversation are delivered in order."""
    return f"conversation:{session_id}"


class ConversationService:
    """Human actions on agent conversations (see module docstring)."""

    def __init__(self, store: Store, platform: PlatformClient) -> None:
        self._store = store
        self._platform = platform

    def queue_message(
        self,
        session_id: str,
        text: str,
        *,
        author_name: str = "",
        template_name: str | None = None,
        initiator: object | None = None,
    ) -> int:
        """Store a message typed by staff and queue it for delivery; returns its local id."""
        text = text.strip()
        if not text and template_name is None:
            raise UserInputError("The message is empty.")
        if len(text) > MAX_MESSAGE_LENGTH:
            raise UserInputError(
                f"The message is {len(text)} characters long; the limit is {MAX_MESSAGE_LENGTH}."
            )
        with self._store.write(initiator) as tx:
            message = Message(
                session_id=session_id,
                role="human",
                author_name=author_name,
                text=text,
                template_name=template_name,
                created_at=datetime.now(UTC),
                delivery="pending",
            )
            tx.session.add(message)
            tx.session.flush()
            payload: dict[str, Any] = {"message_id": message.id, "session_id": session_id}
            if template_name is None:
                payload["text"] = text
            else:
                payload["template_name"] = template_name
            enqueue(tx, conversation_target(session_id), POST_MESSAGE, payload)
            return message.id

    def outbox_handlers(self) -> dict[str, Handler]:
        return {
            POST_MESSAGE: Handler(
                self._deliver_message, delivered=_message_sent, rejected=_message_failed
            )
        }

    async def _deliver_message(self, delivery: Delivery) -> RemoteMessage:
        payload = delivery.payload
        return await self._platform.send_message(
            payload["session_id"],
            text=payload.get("text"),
            template_name=payload.get("template_name"),
            idempotency_key=delivery.idempotency_key,
        )


def _message_sent(tx: Transaction, delivery: Delivery, remote: RemoteMessage) -> None:
    local_id = delivery.payload["message_id"]
    # The platform's event for this message may have been applied first: keep
    # that row (same remote id) and drop the local copy, so it shows once.
    echoed = tx.session.scalar(select(Message.id).where(Message.remote_id == remote.id))
    if echoed is not None and echoed != local_id:
        tx.session.execute(delete(Message).where(Message.id == local_id))
        tx.touch("messages", local_id, echoed)
        return
    message = tx.session.get(Message, local_id)
    if message is None:
        return
    message.remote_id = remote.id
    message.delivery = "sent"
    message.error = None
    message.author_name = remote.author_name
    message.created_at = remote.created_at


def _message_failed(tx: Transaction, delivery: Delivery, error: ConsoleError) -> None:
    message = tx.session.get(Message, delivery.payload["message_id"])
    if message is not None:
        message.delivery = "failed"
        message.error = f"{error.user_text()} {error.user_action()}"
