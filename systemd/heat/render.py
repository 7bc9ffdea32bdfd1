#!/usr/bin/env python3
"""Usage: systemd/heat/render.py [-e PARAMETERS.yaml] [-o DIR] [TEMPLATE]

Renders the user data of systemd/heat/clc-node-minion.yaml as Heat would, so that what a minion
receives can be read and checked without an OpenStack: resolves get_param (defaults, then the
environment file's `parameters:`), get_file (relative to the template), str_replace (longest
placeholder first, as Heat does) and the wait handle's curl_cli (a sample), checks every
reference (parameters, resources, allowed_values), and writes each part of the
OS::Heat::MultipartMime to DIR as NN-<resource>.<subtype> (e.g. 02-clc_node_cloud_config.cloud-config).
Prints the written paths. The tests (IntegrationTests.HeatTemplateTests) run it.
"""
import argparse
import os
import sys

import yaml

SAMPLE_CURL = ("curl -i -X POST -H 'X-Auth-Token: sample-token' -H 'Content-Type: application/json' "
               "-H 'Accept: application/json' http://heat.example:8004/v1/tenant/stacks/minion/resources/"
               "minion_wait_handle/signal")


class TemplateError(Exception):
    pass


class Renderer:
    def __init__(self, template_path, parameters):
        self.directory = os.path.dirname(os.path.abspath(template_path))
        with open(template_path) as f:
            self.template = yaml.safe_load(f)
        self.parameters = {}
        declared = self.template.get("parameters") or {}
        for name, spec in declared.items():
            if name in parameters:
                value = parameters[name]
            elif "default" in spec:
                value = spec["default"]
            else:
                raise TemplateError("parameter %s has no default and no value" % name)
            for constraint in spec.get("constraints", []):
                allowed = constraint.get("allowed_values")
                if allowed is not None and value not in allowed:
                    raise TemplateError("parameter %s: %r is not one of %s" % (name, value, allowed))
            self.parameters[name] = "" if value is None else value
        unknown = set(parameters) - set(declared)
        if unknown:
            raise TemplateError("values for undeclared parameters: %s" % sorted(unknown))
        self.resources = self.template.get("resources") or {}

    def resolve(self, node):
        if isinstance(node, list):
            return [self.resolve(item) for item in node]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (function, argument), = node.items()
            if function == "get_param":
                if argument not in self.parameters:
                    raise TemplateError("get_param of undeclared parameter %s" % argument)
                return self.parameters[argument]
            if function == "get_file":
                with open(os.path.join(self.directory, argument)) as f:
                    return f.read()
            if function == "get_resource":
                if argument not in self.resources:
                    raise TemplateError("get_resource of undeclared resource %s" % argument)
                return argument
            if function == "get_attr":
                resource, attribute = argument[0], argument[1]
                if resource not in self.resources:
                    raise TemplateError("get_attr of undeclared resource %s" % resource)
                if self.resources[resource]["type"] == "OS::Heat::WaitConditionHandle" and attribute == "curl_cli":
                    return SAMPLE_CURL
                return "<%s.%s>" % (resource, ".".join(str(a) for a in argument[1:]))
            if function == "str_replace":
                text = self.resolve(argument["template"])
                params = {key: self.resolve(value) for key, value in argument["params"].items()}
                for key in sorted(params, key=len, reverse=True):
                    text = text.replace(key, str(params[key]))
                return text
        return {key: self.resolve(value) for key, value in node.items()}

    def check_references(self):
        for name, resource in self.resources.items():
            for dependency in ([resource["depends_on"]] if isinstance(resource.get("depends_on"), str)
                               else resource.get("depends_on", [])):
                if dependency not in self.resources:
                    raise TemplateError("%s depends on undeclared %s" % (name, dependency))
            self.resolve(resource.get("properties") or {})
        self.resolve(self.template.get("outputs") or {})

    def parts(self):
        """(resource name, subtype, text) of each MultipartMime part, in order."""
        result = []
        for resource in self.resources.values():
            if resource["type"] != "OS::Heat::MultipartMime":
                continue
            for part in resource["properties"]["parts"]:
                name = part["config"]["get_resource"]
                config = self.resources[name]
                if config["type"] != "OS::Heat::SoftwareConfig":
                    raise TemplateError("part %s is a %s, not an OS::Heat::SoftwareConfig" % (name, config["type"]))
                text = self.resolve(config["properties"]["config"])
                subtype = part.get("subtype") or ("cloud-config" if text.startswith("#cloud-config") else "x-shellscript")
                result.append((name, subtype, text))
        return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("template", nargs="?", default=os.path.join(here, "clc-node-minion.yaml"))
    parser.add_argument("-e", "--environment", default=os.path.join(here, "sample-parameters.yaml"))
    parser.add_argument("-o", "--output", default="rendered")
    arguments = parser.parse_args()
    with open(arguments.environment) as f:
        parameters = (yaml.safe_load(f) or {}).get("parameters") or {}
    try:
        renderer = Renderer(arguments.template, parameters)
        renderer.check_references()
        parts = renderer.parts()
    except (TemplateError, KeyError, OSError) as error:
        sys.exit("render.py: %s" % error)
    os.makedirs(arguments.output, exist_ok=True)
    for index, (name, subtype, text) in enumerate(parts, start=1):
        path = os.path.join(arguments.output, "%02d-%s.%s" % (index, name, subtype))
        with open(path, "w") as f:
            f.write(text)
        print(path)


if __name__ == "__main__":
    main()
