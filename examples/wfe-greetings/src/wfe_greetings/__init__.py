"""Example wfe components: greetings."""
