from wfe import Component, Input, Param


class Greet(Component):
    """Turn a list of names into greetings."""

    params_schema = {"greeting": Param(str, default="Hello", doc="the word to greet with")}
    inputs_schema = {"names": Input("a list of names")}
    outputs_schema = {"greetings": "one greeting per name"}

    def run(self, names):
        return [f"{self.params['greeting']}, {name}!" for name in names]
