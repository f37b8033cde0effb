from wfe import ComponentRef, hookimpl


@hookimpl
def wfe_register_components():
    # Name the components; their module is imported only when a workflow uses them.
    return [ComponentRef("greet", "wfe_greetings.components:Greet", "Greet each name in a list")]
