"""Model backends: the protocol, transformers+peft (in-process), an OpenAI-compatible server, the output cache."""
