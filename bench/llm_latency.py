"""Latency of a local LLM server on the two kinds of request the LLM seat makes.

Start the server first (`hotline llm serve --model 0.5b|1.5b`), then:

    python bench/llm_latency.py [--base-url http://127.0.0.1:8080/v1] [--runs 5]

Each run sends one work-order extraction as `response_format` json_object + schema and one as a
forced tool call, each over the real OpenAI client, with a caller's turn from the dev corpus's
kind. Prints the median, min and max wall time of each, the tokens generated, and whether every
answer parsed and held the schema's fields.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

from openai import OpenAI

SYSTEM = (
    "你是北京12345市民服务热线的虚拟座席。从市民这一轮的话里提取工单字段：类别、区、街道、详细地址、"
    "姓名、回电号码、是否紧急，没说的字段填空字符串；再写一句给市民的简短回复。只输出 JSON。"
)
TURNS = [
    "我要投诉，朝阳区望京街道有个工地每天半夜还在施工，吵得根本没法睡觉，我姓王，电话13812345678。",
    "你好，我想反映一下海淀区中关村街道知春路那边的路灯坏了好几天了，晚上特别黑，挺危险的。",
    "丰台区方庄街道芳城园一区十五号楼楼道里堆满了杂物，消防通道都堵了，物业也不管。",
]
FIELDS = {
    "category": {"type": "string", "enum": ["投诉", "咨询", "求助", "举报", "表扬", "建议"]},
    "district": {"type": "string"},
    "street": {"type": "string"},
    "address": {"type": "string"},
    "caller_name": {"type": "string"},
    "phone": {"type": "string"},
    "urgent": {"type": "boolean"},
    "reply": {"type": "string"},
}
SCHEMA = {"type": "object", "properties": FIELDS, "required": list(FIELDS)}


def json_turn(client: OpenAI, model: str, turn: str) -> tuple[dict, int]:
    reply = client.chat.completions.create(
        model=model,
        messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": turn}],
        # llama-cpp-python's server constrains the output by `schema` under json_object; json_schema answers 500.
        response_format={"type": "json_object", "schema": SCHEMA},  # type: ignore[arg-type]
        temperature=0,
        max_tokens=256,
    )
    return json.loads(reply.choices[0].message.content or ""), reply.usage.completion_tokens if reply.usage else 0


def tool_turn(client: OpenAI, model: str, turn: str) -> tuple[dict, int]:
    tool = {"type": "function", "function": {"name": "file_ticket", "description": "登记工单", "parameters": SCHEMA}}
    reply = client.chat.completions.create(
        model=model,
        messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": turn}],
        tools=[tool],  # type: ignore[list-item]
        # Tool calls come back only when forced; with "auto" the model answers in prose.
        tool_choice={"type": "function", "function": {"name": "file_ticket"}},
        temperature=0,
        max_tokens=256,
    )
    calls = reply.choices[0].message.tool_calls or []
    arguments = json.loads(calls[0].function.arguments) if calls else {}
    return arguments, reply.usage.completion_tokens if reply.usage else 0


def measure(name: str, request: Callable[[OpenAI, str, str], tuple[dict, int]], client: OpenAI, model: str,
            runs: int) -> None:
    times, tokens, valid = [], [], 0
    for index in range(runs):
        started = time.perf_counter()
        try:
            fields, generated = request(client, model, TURNS[index % len(TURNS)])
        except (json.JSONDecodeError, IndexError):
            fields, generated = {}, 0
        times.append(time.perf_counter() - started)
        tokens.append(generated)
        valid += set(FIELDS) <= set(fields)
    print(f"{name:<22} median {statistics.median(times):6.2f} s   min {min(times):6.2f}   max {max(times):6.2f}"
          f"   tokens {statistics.median(tokens):4.0f}   valid {valid}/{runs}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8080/v1")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    client = OpenAI(base_url=args.base_url, api_key="local", timeout=600)
    model = client.models.list().data[0].id
    print(f"{model} at {args.base_url}, {args.runs} runs each")
    json_turn(client, model, TURNS[0])  # the first request also warms the caches; not counted
    measure("json_object + schema", json_turn, client, model, args.runs)
    measure("forced tool call", tool_turn, client, model, args.runs)


if __name__ == "__main__":
    main()
