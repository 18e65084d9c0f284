"""Talks to an ark ArkService with the official A2A Python SDK (a2a-sdk) and prints what it saw.

Usage: python python_client.py <base URL>. Prints one JSON object per line: {"step": ..., ...}.
The Java test (A2aPythonClientIT) asserts on them; this script only reports.
"""
import asyncio
import json
import sys
import uuid

import httpx
from a2a.client import A2ACardResolver, ClientConfig, ClientFactory
from a2a.types import (
    CancelTaskRequest,
    GetTaskRequest,
    Message,
    Part,
    Role,
    SendMessageRequest,
    TaskState,
)


def report(step, **fields):
    print(json.dumps({"step": step, **fields}), flush=True)


def message(text):
    return SendMessageRequest(
        message=Message(
            role=Role.ROLE_USER, parts=[Part(text=text)], message_id=str(uuid.uuid4())
        )
    )


def state(task):
    return TaskState.Name(task.status.state)


def answer(task):
    return " ".join(p.text for a in task.artifacts for p in a.parts if p.text)


async def main(url):
    async with httpx.AsyncClient(timeout=120) as http:
        card = await A2ACardResolver(http, url).get_agent_card()
        report(
            "card",
            name=card.name,
            skills=[s.id for s in card.skills],
            streaming=card.capabilities.streaming,
            interfaces=[
                [i.protocol_binding, i.protocol_version, i.url] for i in card.supported_interfaces
            ],
        )

        blocking = ClientFactory(ClientConfig(streaming=False, httpx_client=http)).create(card)
        task = None
        async for event in blocking.send_message(message("Summarise why durable agents matter")):
            task = event.task
        report("send", id=task.id, state=state(task), answer=answer(task),
               agent=task.metadata["arkAgent"] if "arkAgent" in task.metadata else None)

        got = await blocking.get_task(GetTaskRequest(id=task.id))
        report("get", id=got.id, state=state(got), answer=answer(got),
               history=[Role.Name(m.role) for m in got.history])

        streaming = ClientFactory(ClientConfig(streaming=True, httpx_client=http)).create(card)
        kinds = []
        last = None
        async for event in streaming.send_message(message("Stream an answer, please")):
            kind = event.WhichOneof("payload")
            kinds.append(kind)
            if kind == "status_update":
                last = TaskState.Name(event.status_update.status.state)
            if kind == "artifact_update":
                report("stream-artifact", text=" ".join(p.text for p in event.artifact_update.artifact.parts))
        report("stream", kinds=kinds, final=last)

        polling = ClientFactory(ClientConfig(streaming=False, polling=True, httpx_client=http)).create(card)
        started = None
        async for event in polling.send_message(message("A long task to cancel")):
            started = event.task
        report("started", id=started.id, state=state(started))
        canceled = await polling.cancel_task(CancelTaskRequest(id=started.id))
        report("cancel", id=canceled.id, state=state(canceled))

        try:
            await polling.get_task(GetTaskRequest(id=str(uuid.uuid4())))
            report("unknown-task", error=None)
        except Exception as e:  # the SDK's error for JSON-RPC -32001
            report("unknown-task", error=type(e).__name__, message=str(e))


asyncio.run(main(sys.argv[1]))
