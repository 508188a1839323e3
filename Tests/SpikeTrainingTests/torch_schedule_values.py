"""Learning rates of torch's StepLR, CosineAnnealingLR and OneCycleLR (torch 2.x), as used by
ScheduleTests.swift (printed as Swift literals, pasted there). python3 Tests/SpikeTrainingTests/torch_schedule_values.py"""
import torch

def rates(make, steps, base=0.01):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=base)
    s = make(opt)
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step(); s.step()
    return out

def show(name, xs):
    print(f"    static let {name}: [Double] = [" + ", ".join(repr(x) for x in xs) + "]")

show("stepLR", rates(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5), 10))
show("cosine", rates(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=7, eta_min=1e-4), 7))
show("cosineLong", rates(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=4, eta_min=0.0), 13))
show("oneCycle", rates(lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.01, epochs=3, steps_per_epoch=5, cycle_momentum=False), 15))
