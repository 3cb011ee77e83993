
timer/rf2.resolve/case-1/1tb-demo€ØÁ¢Œ4ÂT
rf2.resolve@tb-demo:case-1refund-notifiertb-demo:order-1"rf2.resolve(€ØÁ¢Œ48