"""What one plug-in step sees of its message's context while it runs: the images and
configuration it registered, and its run-as user (the pipeline shows them, then hides them)."""

from __future__ import annotations

from leadgate.platform.engine.context import ExecutionContext
from leadgate.platform.engine.entity import Entity
from leadgate.platform.plugins.registry import ALL_COLUMNS, Step

__all__ = ["Images", "hide_step", "show_step"]


Images = tuple[dict[str, Entity], dict[str, Entity]]


def show_step(context: ExecutionContext, step: Step) -> Images:
    """Give the context what one step sees: its images, configuration and run-as user;
    returns the message's images, for :func:`hide_step`."""
    images = (context.pre_entity_images, context.post_entity_images)
    context.pre_entity_images = _image_for(step.pre_image, images[0])
    context.post_entity_images = _image_for(step.post_image, images[1])
    context.configuration = step.configuration
    context._run_as = step.run_as
    return images


def hide_step(context: ExecutionContext, images: Images) -> None:
    context.pre_entity_images, context.post_entity_images = images
    context.configuration = None
    context._run_as = None
    context._trace_lines = None


def _image_for(columns: tuple[str, ...], images: dict[str, Entity]) -> dict[str, Entity]:
    """Each step sees only the columns it registered for its image."""
    if not columns or not images:
        return {}
    if columns == ALL_COLUMNS:
        return {name: image.copy() for name, image in images.items()}
    return {
        name: Entity(image.logical_name, image.id, {k: v for k, v in image.items() if k in columns},
                     row_version=image.row_version)
        for name, image in images.items()
    }  # fmt: skip
