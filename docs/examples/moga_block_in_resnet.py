"""Two Moga blocks after a torchvision ResNet-18 stage, trained one step."""
import torch
import torch.nn as nn
from torchvision.models import resnet18

from mmmoga.core import MogaBlock

model = resnet18(num_classes=10)
# layer3 gives 256-channel maps; each block keeps their shape.
model.layer3 = nn.Sequential(
    model.layer3, MogaBlock(256, ffn_ratio=4), MogaBlock(256, ffn_ratio=4))
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)

images, labels = torch.randn(4, 3, 128, 128), torch.randint(0, 10, (4, ))
loss = nn.functional.cross_entropy(model(images), labels)
loss.backward()
optimizer.step()
print(f'one training step, loss {loss.item():.3f}')

model.eval()  # for inference, fold each block's norms and scales
for block in model.layer3[1:]:
    block.switch_to_deploy()
print(model(images[:1]).shape)
