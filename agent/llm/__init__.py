"""The LLM backend of the virtual seat: reads turns and words replies on an OpenAI-compatible server.

The dialogue policy stays in agent/; it calls LlmClient and falls back to the offline backend on
LlmUnavailable. Slot values the model proposes still go through agent.grounding.
"""

from agent.llm.client import LlmClient, LlmUnavailable
from agent.llm.prompting import ReplyPlan, TurnContext
from agent.llm.schema import TurnRead, turn_read_schema

__all__ = ["LlmClient", "LlmUnavailable", "ReplyPlan", "TurnContext", "TurnRead", "turn_read_schema"]
