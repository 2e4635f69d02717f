"""The `openai` backend: any OpenAI-compatible endpoint through langchain's ChatOpenAI.

The only package of the project that imports langchain or openai (DESIGN.md). Nothing here builds a
client at import time; models are built inside the running event loop by `client.build_chat_model`.
"""
