"""A web page for trying models on one's own pictures: upload an image or
a short video, pick a model, see the predictions drawn beside a table of
what was found. Needs the ``app`` extra (Gradio; ``make install`` has it).

    python tools/app.py                  # the toy demos' trained models
    python tools/app.py --config configs/det/mask_rcnn_moga_s.py \\
        --checkpoint det.pth --config POSE_CONFIG --checkpoint POSE.pth \\
        --det-config DET_CONFIG --det-checkpoint DET.pth --port 7860

Each --config goes with the --checkpoint in the same position. The page
listens on 127.0.0.1 (this machine only) unless --host says otherwise.
"""
import os
import os.path as osp

from mmmoga.apis import report_errors
from mmmoga.apis.pictures.page import PageModel, PagePredictors, build_page
from mmmoga.apis.pictures.predictors import checked_task
from mmmoga.apis.run.cli import ToolArgumentParser, count_from
from mmmoga.apis.toy_demos import trained_demos
from mmmoga.errors import ConfigCheckError
from mmmoga.utils import add_allocator_argument, tune_malloc


def parse_args():
    parser = ToolArgumentParser(description='A web page for trying models')
    parser.add_argument('--config', action='append', default=[],
                        help='a model config (repeat for more models)')
    parser.add_argument('--checkpoint', action='append', default=[],
                        help='the weights (or exported model) of the '
                        '--config in the same position')
    parser.add_argument('--det-config',
                        help='top-down pose models: a detector config that '
                        'finds the people first')
    parser.add_argument('--det-checkpoint', help='weights of --det-config')
    parser.add_argument('--host', default='127.0.0.1',
                        help='address to listen on (default: %(default)s, '
                        'this machine only; 0.0.0.0 opens it to the '
                        'network)')
    parser.add_argument('--port', type=count_from(1), default=7860,
                        help='port (default: %(default)s)')
    parser.add_argument('--device', default='cpu', help='e.g. cpu, cuda:0')
    add_allocator_argument(parser)
    return parser.parse_args()


def page_models(args):
    """The models named on the command line, checked; without any, the
    toy demos' trained models."""
    from mmmoga.apis.pictures import InferenceSettings
    if len(args.config) != len(args.checkpoint):
        raise ConfigCheckError(
            f'{len(args.config)} --config and {len(args.checkpoint)} '
            '--checkpoint given: each --config needs its --checkpoint')
    if bool(args.det_config) != bool(args.det_checkpoint):
        raise ConfigCheckError(
            '--det-config and --det-checkpoint go together')
    if not args.config:
        models = [PageModel(f'{demo.task}: {demo.title}', demo.config,
                            demo.checkpoint, demo.det_config,
                            demo.det_checkpoint)
                  for demo in trained_demos()]
        if not models:
            raise ConfigCheckError(
                'no model to show: no toy demo is trained yet (run `make '
                'demo`, `make demo-seg`, `make demo-pose` or `make '
                'demo-cls`) and no --config / --checkpoint was given')
        return models
    models = []
    for config, checkpoint in zip(args.config, args.checkpoint):
        task = checked_task(config, InferenceSettings(checkpoint=checkpoint))
        with_detector = task.name == 'pose' and args.det_config
        models.append(PageModel(
            f'{task.name}: {osp.basename(config)}', config, checkpoint,
            args.det_config if with_detector else None,
            args.det_checkpoint if with_detector else None))
    return models


def main():
    args = parse_args()
    tune_malloc(not args.default_malloc)
    models = page_models(args)
    # Gradio reports usage to its makers unless told not to.
    os.environ.setdefault('GRADIO_ANALYTICS_ENABLED', 'False')
    try:
        import gradio  # noqa: F401
    except ImportError:
        raise ConfigCheckError(
            'the web page needs Gradio: pip install "mmmoga[app]" (make '
            'install has it)') from None
    page = build_page(PagePredictors(models, args.device))
    print(f'models: {", ".join(model.name for model in models)}')
    print(f'open http://{args.host}:{args.port} in a browser (Ctrl-C '
          'stops)', flush=True)
    page.launch(server_name=args.host, server_port=args.port, share=False,
                show_error=True, quiet=True)


if __name__ == '__main__':
    report_errors(main)
